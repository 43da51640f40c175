//! A DHCP relay agent for load generators and tests: one UDP socket in front of one DHCP server,
//! requests sent as the router forwards them (the caller builds them with `giaddr` and option 82
//! carrying the RFC 8357 relay source port, so answers come back to this socket), and a task that
//! hands each answer to the client waiting for its transaction id. Thousands of clients share one
//! socket, as the phones of a building share their router's relay.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dhcproto::v4::Message;
use dhcproto::{Decodable, Decoder, Encodable};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// The relay socket's receive buffer, bytes.
const RECEIVE_BUFFER: usize = 4 << 20;

/// The clients waiting for an answer, by transaction id.
type Waiting = Arc<Mutex<HashMap<u32, mpsc::UnboundedSender<Message>>>>;

/// One relay in front of one DHCP server.
pub struct Relay {
    socket: Arc<UdpSocket>,
    server: SocketAddr,
    waiting: Waiting,
}

impl Relay {
    /// A relay on a new loopback socket, forwarding to `server`.
    pub async fn new(server: SocketAddr) -> std::io::Result<Arc<Relay>> {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        // Room for a burst of answers to thousands of clients (capped at net.core.rmem_max),
        // as a router's relay has: the default buffer drops answers under a boot storm.
        socket2::SockRef::from(&socket).set_recv_buffer_size(RECEIVE_BUFFER)?;
        let socket = Arc::new(socket);
        let waiting: Waiting = Arc::default();
        let (reader, table) = (Arc::clone(&socket), Arc::clone(&waiting));
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 2048];
            while let Ok((length, _)) = reader.recv_from(&mut buffer).await {
                let Ok(answer) = Message::decode(&mut Decoder::new(&buffer[..length])) else {
                    continue;
                };
                let waiting = table.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(client) = waiting.get(&answer.xid()) {
                    let _ = client.send(answer);
                }
            }
        });
        Ok(Arc::new(Relay {
            socket,
            server,
            waiting,
        }))
    }

    /// Forwards `request`; the first answer with its transaction id within `wait`.
    pub async fn ask(&self, request: &Message, wait: Duration) -> Option<Message> {
        let bytes = request.to_vec().ok()?;
        let (sender, mut answers) = mpsc::unbounded_channel();
        self.table().insert(request.xid(), sender);
        let answer = match self.socket.send_to(&bytes, self.server).await {
            Ok(_) => tokio::time::timeout(wait, answers.recv())
                .await
                .ok()
                .flatten(),
            Err(_) => None,
        };
        self.table().remove(&request.xid());
        answer
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<u32, mpsc::UnboundedSender<Message>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}
