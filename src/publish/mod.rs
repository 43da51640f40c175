//! Publishing to a boot server a site already has (an FTP server such as FileZilla, IIS or
//! vsftpd, over FTP or FTPS, or a folder such as a TFTP root): phoneprov renders the complete
//! file set ([`files`]) and writes it there incrementally ([`run`]) through a [`sink`], keeping
//! a manifest of what it published ([`manifest`]) so only changed files are sent, its own
//! removed files are deleted, and files it did not publish are never touched.

pub mod connect;
pub mod files;
pub mod follow;
pub mod manifest;
pub mod run;
pub mod sink;
pub mod target;

pub use connect::{publish_to, tls_config};
pub use files::{FileSetError, file_set, publish_names, rendered_file_set};
pub use follow::{PublishSettings, PublishStatus};
pub use run::{PublishReport, publish};
pub use sink::{DirSink, FtpSink, Sink, SinkError};
pub use target::{FtpTarget, Target, TargetError};
