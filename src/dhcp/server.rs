//! The DHCP socket: receives requests on `--dhcp-listen`, asks the responder, sends its answer.
//! A packet is handled in place (deciding takes microseconds); anything larger than a DHCP
//! message may be is dropped unread, so no packet can make memory grow.

use std::io;
use std::net::SocketAddr;

use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

use crate::dhcp::inform::{Decision, InformResponder};

/// Largest request read; a longer datagram is dropped.
const MAX_REQUEST: usize = 1500;

/// A running DHCP server.
pub struct DhcpServer {
    serving: JoinHandle<()>,
    address: SocketAddr,
}

impl DhcpServer {
    /// Binds `address` and answers with `responder` until [`DhcpServer::stop`].
    pub async fn start(address: SocketAddr, responder: InformResponder) -> io::Result<DhcpServer> {
        let socket = UdpSocket::bind(address).await?;
        socket.set_broadcast(true)?;
        let address = socket.local_addr()?;
        let serving = tokio::spawn(serve(socket, responder));
        Ok(DhcpServer { serving, address })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops answering.
    pub fn stop(self) {
        self.serving.abort();
    }
}

async fn serve(socket: UdpSocket, responder: InformResponder) {
    // One byte more than accepted, to tell an oversized datagram from a full one.
    let mut buffer = vec![0u8; MAX_REQUEST + 1];
    loop {
        let (length, source) = match socket.recv_from(&mut buffer).await {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!("DHCP: receive failed: {e}");
                continue;
            }
        };
        if length > MAX_REQUEST {
            tracing::debug!(client = %source, "DHCP: oversized datagram dropped");
            metrics::counter!("phoneprov_dhcp_requests_total", "type" => "oversized").increment(1);
            continue;
        }
        match responder.decide(&buffer[..length], source) {
            Decision::Reply {
                packet,
                to,
                request,
            } => {
                metrics::counter!("phoneprov_dhcp_requests_total", "type" => request).increment(1);
                match socket.send_to(&packet, to).await {
                    Ok(_) => {
                        metrics::counter!("phoneprov_dhcp_replies_total").increment(1);
                    }
                    Err(e) => tracing::debug!(to = %to, "DHCP: cannot send the reply: {e}"),
                }
            }
            Decision::Ignore { reason, request } => {
                metrics::counter!("phoneprov_dhcp_requests_total", "type" => request).increment(1);
                tracing::debug!(client = %source, request, "DHCP: no answer: {reason}");
            }
        }
    }
}
