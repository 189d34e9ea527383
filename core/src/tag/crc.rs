/// CRC-16/CCITT as ISO 28560-3 uses it: polynomial 0x1021, initial value 0xFFFF, no reflection,
/// no final XOR. Ten lines do not warrant a crate.
pub fn crc16_ccitt(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}
