namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>testpmd's --forward-mode values the harness uses.</summary>
public enum ForwardMode
{
    /// <summary>Relays every received packet to the paired port (port 0 ⇄ port 1, or back out of a lone port).</summary>
    Io,

    /// <summary>Counts and drops what it receives.</summary>
    RxOnly,

    /// <summary>Sends UDP 198.18.0.1:9 → 198.18.0.2:9 as fast as it can, of <see cref="TestpmdConfig.TxPacketSize"/> bytes.</summary>
    TxOnly,
}
