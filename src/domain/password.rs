//! Generated SIP passwords for extensions imported without one.

/// Length of a generated password.
pub const GENERATED_PASSWORD_LEN: usize = 20;

/// Letters and digits only: safe in XML attributes, Aastra lines and phone keypads alike.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Why no password could be generated.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// A random password of 20 letters and digits (about 119 bits), drawn from the operating system's
/// generator without modulo bias.
pub fn generate_password() -> Result<String, RandomError> {
    // 62 symbols: accept bytes below 248 (4 x 62) so every symbol is equally likely.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut out = String::with_capacity(GENERATED_PASSWORD_LEN);
    let mut pool = [0u8; 64];
    while out.len() < GENERATED_PASSWORD_LEN {
        getrandom::fill(&mut pool).map_err(|e| RandomError(e.to_string()))?;
        for byte in pool.iter().copied().filter(|b| *b < limit) {
            if out.len() == GENERATED_PASSWORD_LEN {
                break;
            }
            out.push(ALPHABET[usize::from(byte) % ALPHABET.len()] as char);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_alphanumeric_and_different_each_time() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.len(), GENERATED_PASSWORD_LEN);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
