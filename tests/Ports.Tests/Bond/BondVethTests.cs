using System.Text.RegularExpressions;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond;
using VirtioForwarder.Ports.Tests.Support;
using static VirtioForwarder.Ports.Tests.Bond.BondTestKit;
using static VirtioForwarder.Ports.Tests.Support.IKernelPeerLab;
using static VirtioForwarder.Ports.Tests.Support.TestFrames;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Bonds over AF_PACKET ports on veth pairs, with the kernel or another bond of ours at the far end.</summary>
public sealed unsafe partial class BondVethTests
{
    [GeneratedRegex(@"(\d+) packets received")]
    private static partial Regex Received();

    /// <summary>Plays 198.18.0.2 through the port: answers ARP for it and echo requests to it; counts replies.</summary>
    private sealed class Responder(IPort port) : IDisposable
    {
        private volatile bool _stop;
        private Thread? _thread;
        // A failure on the thread is reported by Dispose: thrown there, it would abort the whole test run.
        private Exception? _failure;
        public int Replies;

        public void Start()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "responder" };
            _thread.Start();
        }

        private void Run()
        {
            try { Respond(); }
            catch (Exception e) { _failure = e; }
        }

        private void Respond()
        {
            var frames = new Frame[32];
            var exchange = new PortExchange(port);
            while (!_stop)
            {
                var poll = new PollFd { Fd = port.ReadinessFd, Events = Libc.POLLIN };
                Libc.Poll(&poll, 1, 20);
                int n = port.Receive(frames);
                var pending = new List<byte[]>();
                for (int i = 0; i < n; i++)
                {
                    var f = frames[i].Bytes;
                    if (ReadArp(f) is { Operation: ArpRequest } arp && arp.TargetIp.Equals(PeerAddress))
                        pending.Add(BuildArp(ArpReply, PeerMac, PeerAddress, arp.SenderMac, arp.SenderIp));
                    else if (IsEchoRequest(f) && f[..6].SequenceEqual(PeerMac))
                        pending.Add(EchoReplyTo(f));
                }
                foreach (var reply in pending)
                    if (exchange.Send(reply) == 1 && EtherType(reply) == EtherTypeIpv4) Interlocked.Increment(ref Replies);
            }
        }

        /// <summary>Stops the thread and waits for it, so the port outlives its last use.</summary>
        public void Dispose()
        {
            _stop = true;
            _thread?.Join();
            Assert.Null(_failure);
        }
    }

    [Fact]
    public void Active_backup_keeps_a_ping_flood_going_when_the_active_link_goes_down()
    {
        using var lab = new BondVethLab();
        var (a, b) = BridgedPairs(lab);
        lab.Namespace.Ip("addr", "add", KernelAddress + "/24", "dev", "br0");
        using var bond = new BondPort("ab-veth", [BondVethLab.Open(a), BondVethLab.Open(b)], new BondOptions(BondMode.ActiveBackup));
        WaitUntil(() => bond.TransmittingMembers.SequenceEqual([0]), "the primary carrying");
        using var responder = new Responder(bond);
        responder.Start();

        const int Count = 500;
        using var ping = lab.Namespace.Start("busybox", "ping", "-q", "-c", Count.ToString(), "-i", "0.01", "-W", "2", PeerAddress.ToString());
        WaitUntil(() => Volatile.Read(ref responder.Replies) >= 100, "100 echo replies on the primary");
        long bTxBefore = BondVethLab.Counter(b, "tx_packets");
        HostProcess.RunChecked("ip", "link", "set", "dev", a, "down");
        WaitUntil(() => bond.TransmittingMembers.SequenceEqual([1]), "failover to the backup");
        var result = ping.Wait(TimeSpan.FromSeconds(60));

        int received = int.Parse(Received().Match(result.Output).Groups[1].Value);
        Assert.True(received >= Count * 8 / 10, $"only {received} of {Count} replies: {result.Output}");
        Assert.True(BondVethLab.Counter(b, "tx_packets") - bTxBefore >= 100, "the backup carried the replies after failover");
    }

    [Fact]
    public void Alb_gives_each_client_its_own_members_address_and_both_members_carry_their_clients_pings()
    {
        using var lab = new BondVethLab();
        var (a, b) = BridgedPairs(lab);
        using var first = TestNamespace.Create();
        using var second = TestNamespace.Create();
        var clients = new[] { (Namespace: first, Address: "198.18.0.11"), (Namespace: second, Address: "198.18.0.12") };
        foreach (var (client, address) in clients)
        {
            string port = "vfwdc" + UniqueName.New("");
            client.Ip("link", "add", "cl0", "type", "veth", "peer", "name", port, "netns", lab.Namespace.Name);
            client.Ip("addr", "add", address + "/24", "dev", "cl0");
            client.Ip("link", "set", "cl0", "up");
            lab.Namespace.Ip("link", "set", port, "master", "br0", "up");
        }
        using var bond = new BondPort("alb-veth", [BondVethLab.Open(a), BondVethLab.Open(b)], new BondOptions(BondMode.Alb));
        WaitUntil(() => bond.ReceivingMembers.Count == 2, "both members up");
        using var responder = new Responder(bond);
        responder.Start();
        long aBefore = BondVethLab.Counter(a, "rx_packets"), bBefore = BondVethLab.Counter(b, "rx_packets");

        var learnt = new List<string>();
        foreach (var (client, _) in clients)
        {
            using var ping = client.Start("busybox", "ping", "-q", "-c", "5", "-i", "0.2", "-W", "2", PeerAddress.ToString());
            var result = ping.Wait(TimeSpan.FromSeconds(60));
            Assert.True(int.Parse(Received().Match(result.Output).Groups[1].Value) >= 4, result.Output);
            string neighbour = client.Ip("neigh", "show", PeerAddress.ToString()).Output;
            learnt.Add(LinkAddress().Match(neighbour).Groups[1].Value);
        }

        // Client one has the primary, which advertises the VM's own address; client two the other member's.
        Assert.Equal(MacText(PeerMac), learnt[0]);
        Assert.NotEqual(learnt[0], learnt[1]);
        Assert.Matches("^[0-9a-f:]{17}$", learnt[1]);
        // Each client's pings came in on its own member.
        Assert.True(BondVethLab.Counter(a, "rx_packets") - aBefore >= 5, "the primary received its client's pings");
        Assert.True(BondVethLab.Counter(b, "rx_packets") - bBefore >= 5, "the second member received its client's pings");
    }

    /// <summary>Two pairs whose far ends are ports of bridge br0 (up) in the lab's namespace; returns the local ends.</summary>
    private static (string A, string B) BridgedPairs(BondVethLab lab)
    {
        var (a, farA) = lab.AddPair();
        var (b, farB) = lab.AddPair();
        lab.Namespace.Ip("link", "add", "br0", "type", "bridge");
        lab.Namespace.Ip("link", "set", farA, "master", "br0");
        lab.Namespace.Ip("link", "set", farB, "master", "br0");
        lab.Namespace.Ip("link", "set", "br0", "up");
        return (a, b);
    }

    [GeneratedRegex(@"lladdr ([0-9a-f:]+)")]
    private static partial Regex LinkAddress();

    private static string MacText(byte[] mac) => string.Join(':', mac.Select(x => x.ToString("x2")));
}
