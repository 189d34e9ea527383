pub mod barcode;
pub mod tag;
