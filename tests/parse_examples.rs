use escalade::syntax::parse_file;

#[test]
fn spec_example_parses_cleanly() {
    let dir = std::path::Path::new("../shared/examples/spec-example");
    if !dir.exists() {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    }
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("esc") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let (ast, findings) = parse_file(0, &text);
        assert!(findings.is_empty(), "{}: {:#?}", p.display(), findings);
        n += ast.decls.len();
    }
    assert!(n > 20, "{n}");
}

fn load(files: &[(&str, &str)]) -> escalade::workspace::Workspace {
    escalade::workspace::load_texts(
        std::path::PathBuf::from("."),
        files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect(),
    )
}

fn position(ws: &escalade::workspace::Workspace, f: &escalade::diag::Finding) -> (String, usize, usize) {
    let file = ws.sources.get(f.span.file);
    let lc = file.line_col(f.span.start as usize);
    (file.path.clone(), lc.line, lc.column)
}

#[test]
fn three_syntax_errors_in_three_files_are_all_reported() {
    let ws = load(&[
        ("a.esc", "person alice { email \"a@x\" }\nteam t { members alice\n"),
        ("b.esc", "policy p {\n  tier one { notify team t escalate 5m }\n}\n"),
        ("c.esc", "service s {\n  owner t\n  policy p\n  risk extreme\n}\n"),
    ]);
    let got: Vec<(String, usize, usize)> = ws.findings.iter().filter(|f| f.code == "E0001").map(|f| position(&ws, f)).collect();
    assert_eq!(
        got,
        vec![("a.esc".to_string(), 3, 1), ("b.esc".to_string(), 2, 37), ("c.esc".to_string(), 4, 8)],
        "{:#?}",
        ws.findings
    );
}

fn help_of(src: &str) -> (String, String) {
    let ws = load(&[("t.esc", src)]);
    let f = ws.findings.iter().find(|f| f.code == "E0001" || f.code == "E0102").unwrap_or_else(|| panic!("no finding for {src}"));
    (f.message.clone(), f.help.clone().unwrap_or_default())
}

#[test]
fn targeted_help_for_common_mistakes() {
    let cases: &[(&str, &str)] = &[
        ("person a {\n  email \"a@x\"\n\nperson b { email \"b@x\" }\n", "the block opened at line 1 is never closed"),
        ("policy p { tier t { notify person a escalate 5m } }", "write `escalate after 5m`"),
        ("policy p { tier t { notify person a via pager } }", "`pager` is not a channel"),
        ("team t {\n  members alice, bob,\n  lead dave\n}\n", "a trailing comma made `lead` a list item; remove the comma after `bob`"),
        ("hours h { mon - fri 09:00-17:00 }", "write `mon-fri`"),
        ("policy p { tier t { notify person a escalate after 1h 30m } }", "write `1h30m`"),
        ("policy p { tier t { notify person a escalate after 5min } }", "write `m` for minutes"),
        ("service s { ack-sla sev9 5m }", "declared severities"),
        ("person mon-fri { email \"x\" }", ""),
    ];
    for (src, want) in cases {
        let (msg, help) = help_of(src);
        assert!(help.contains(want), "{src:?}\n  message: {msg}\n  help: {help}\n  want: {want}");
    }
    let (msg, _) = help_of("person mon-fri { email \"x\" }");
    assert_eq!(msg, "`mon-fri` is a day range, not a name");
    let (msg, _) = help_of("person and { email \"x\" }");
    assert_eq!(msg, "`and` is a reserved word, not a name");
}

#[test]
fn broken_declaration_names_count_as_declared() {
    let ws = load(&[("t.esc", "team t { members alice lead }\npolicy p { tier a { notify team t } }\n")]);
    let codes: Vec<&str> = ws.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["E0001"], "{:#?}", ws.findings);
}

#[test]
fn a_broken_route_costs_only_itself() {
    let ws = load(&[(
        "t.esc",
        "policy p { tier a { notify person x } }\nperson x { email \"x\" }\nroutes {\n  route one { when severity === sev1 to policy p }\n  route two { to policy p }\n}\n",
    )]);
    let codes: Vec<&str> = ws.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["E0001"], "{:#?}", ws.findings);
    assert_eq!(ws.model.routes.len(), 1);
    assert_eq!(ws.model.routes[0].name.name, "two");
}

#[test]
fn ordering_comparisons_are_for_severities_only() {
    let ws = load(&[("t.esc", "routes { route r { when summary >= \"x\" suppress } }\n")]);
    let f: Vec<(&str, &str)> = ws.findings.iter().map(|f| (f.code, f.message.as_str())).collect();
    assert_eq!(f, vec![("E0102", "`>=` compares severities only; `summary` is not a severity")]);
}
