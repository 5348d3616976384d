namespace VirtioForwarder.Ports.Bond;

/// <summary>Bonding modes with DPDK's numbers and meanings (rte_eth_bond.h BONDING_MODE_*), which upstream's port control passes through.</summary>
public enum BondMode
{
    /// <summary>Frames go out on each member in turn; received from all.</summary>
    RoundRobin = 0,
    /// <summary>One member carries everything; the next one up takes over when it fails, the first (primary) takes back when it returns.</summary>
    ActiveBackup = 1,
    /// <summary>Each frame goes out on the member its header hash picks (<see cref="TransmitHashPolicy"/>); received from all.</summary>
    BalanceXor = 2,
    /// <summary>Every frame goes out on every member; received from all.</summary>
    Broadcast = 3,
    /// <summary>IEEE 802.3ad/802.1AX: LACP negotiates which members carry traffic; frames hashed over those distributing.</summary>
    Lacp8023ad = 4,
    /// <summary>Transmit load balancing: frames go out on the least loaded member; received on the active one only.</summary>
    Tlb = 5,
    /// <summary>Adaptive load balancing: TLB, with ARP replies spread over members per client; received from all.</summary>
    Alb = 6,
}

/// <summary>Which headers balance-xor and 802.3ad hash to pick a member (DPDK's BALANCE_XMIT_POLICY_LAYER2/23/34).</summary>
public enum TransmitHashPolicy { Layer2, Layer23, Layer34 }

/// <summary>How a bond behaves; the defaults are DPDK's (active-backup, layer 2 hash) and LACP's fast rate.</summary>
public sealed record BondOptions(
    BondMode Mode = BondMode.ActiveBackup,
    TransmitHashPolicy HashPolicy = TransmitHashPolicy.Layer2,
    bool LacpShortTimeout = true)
{
    public const int MinMembers = 2;

    /// <summary>A DPDK mode number 0–6, or null for anything else.</summary>
    public static BondMode? ModeFromNumber(int number) =>
        number is >= (int)BondMode.RoundRobin and <= (int)BondMode.Alb ? (BondMode)number : null;
}
