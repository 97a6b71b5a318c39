//! Rendering answers: the text of `can` and the JSON shapes of decisions (AWS's simulator result
//! shape) shared by `can --format json` and `eval`.

pub mod json;
pub mod text;
