//! The baseline of ../../../endpoint_size.sh: reads the same command line as
//! resolve_ours and resolve_sdk and prints it, resolving nothing.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = |i: usize| args.get(i).map(String::as_str).filter(|s| *s != "-");
    let flag = |i: usize| text(i) == Some("1");
    let fields = [text(0), text(1), text(4)];
    match fields {
        [Some(bucket), Some(region), endpoint] => println!(
            "{bucket} {region} {} {} {endpoint:?} {}",
            flag(2),
            flag(3),
            flag(5)
        ),
        _ => println!("error: missing"),
    }
}
