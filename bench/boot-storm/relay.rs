//! A DHCP relay agent for load generators and tests: requests as the router forwards them
//! ([`relayed_request`]: `giaddr` 127.0.0.1 and option 82 carrying the RFC 8357 relay source
//! port, so answers come back to the relay's own socket), and [`Relay`], one UDP socket in front
//! of one DHCP server with a task that hands each answer to the client waiting for its
//! transaction id. Thousands of clients share one socket, as the phones of a building share their
//! router's relay.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::net::Ipv4Addr;

use dhcproto::v4::relay::{RelayAgentInformation, RelayCode, RelayInfo, UnknownInfo};
use dhcproto::v4::{DhcpOption, Message, MessageType, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder, Encodable};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// A request of `kind` from the client `chaddr` as the router's relay forwards it: `giaddr`
/// 127.0.0.1, one hop, the options asked for, the vendor class if any, and option 82 with a
/// circuit id and the relay source port (RFC 8357).
pub fn relayed_request(
    kind: MessageType,
    chaddr: &[u8],
    ciaddr: Ipv4Addr,
    xid: u32,
    asked: Vec<OptionCode>,
    class: Option<Vec<u8>>,
) -> Message {
    let mut message = Message::new_with_id(
        xid,
        ciaddr,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::LOCALHOST,
        chaddr,
    );
    message.set_opcode(Opcode::BootRequest).set_hops(1);
    let options = message.opts_mut();
    options.insert(DhcpOption::MessageType(kind));
    options.insert(DhcpOption::ParameterRequestList(asked));
    if let Some(class) = class {
        options.insert(DhcpOption::ClassIdentifier(class));
    }
    let mut relay = RelayAgentInformation::default();
    relay.insert(RelayInfo::AgentCircuitId(b"Gi1/0/7".to_vec()));
    relay.insert(RelayInfo::Unknown(UnknownInfo::new(
        RelayCode::Unknown(19),
        vec![0, 0],
    )));
    options.insert(DhcpOption::RelayAgentInformation(relay));
    message
}

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
