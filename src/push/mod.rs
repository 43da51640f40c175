//! Pushing changes to phones: when an admin change alters the files of phones that have been
//! seen, phoneprov tells each one to fetch them again with an out-of-dialog SIP `NOTIFY` carrying
//! `Event: check-sync`, sent to the phone's last-seen address and its SIP port, paced and
//! retransmitted, with the outcome recorded per phone. Admins can also ask for one phone
//! (`POST /api/v1/phones/{mac}/resync`).
//!
//! - [`sip`]: the NOTIFY and reading responses.
//! - [`pusher`]: the socket, the pacing, the retransmissions and the records.
//!
//! Which phones changed is found by [`crate::provision::live::Live::fingerprints`] after each new
//! data revision.

pub mod pusher;
pub mod sip;
