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
