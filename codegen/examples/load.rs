fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let t = std::time::Instant::now();
    match codegen::model::Model::load(&args) {
        Ok(m) => println!("{} shapes in {:?}", m.shapes.len(), t.elapsed()),
        Err(d) => println!("{d}"),
    }
}
