using System.Diagnostics;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Sending and receiving through a bond as the relay does, and waiting for the bond's tick.</summary>
public static unsafe class BondTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static (BondPort Bond, MemoryPort[] Members) Create(BondMode mode, int members = 2, string name = "bond0",
        TransmitHashPolicy policy = TransmitHashPolicy.Layer2)
    {
        var ports = Enumerable.Range(0, members).Select(i => new MemoryPort($"{name}-m{i}")).ToArray();
        return (new BondPort(name, ports, new BondOptions(mode, policy)), ports);
    }

    /// <summary>Sends the frames in one batch (AcquireTx, fill, Transmit); returns what Transmit returned.</summary>
    public static int Send(IPort port, params byte[][] frames)
    {
        var batch = new Frame[frames.Length];
        Assert.Equal(frames.Length, port.AcquireTx(batch));
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i].CopyTo(new Span<byte>(batch[i].Data, batch[i].Capacity));
            batch[i].Length = frames[i].Length;
        }
        return port.Transmit(batch, frames.Length);
    }

    public static List<byte[]> ReceiveAll(IPort port)
    {
        var got = new List<byte[]>();
        var batch = new Frame[32];
        int n;
        while ((n = port.Receive(batch)) > 0)
            for (int i = 0; i < n; i++) got.Add(batch[i].Bytes.ToArray());
        return got;
    }

    /// <summary>Polls until the condition holds (the bond's tick runs every 10 ms); fails with <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static void WaitUntil(Func<bool> condition, string what, Action? eachPass = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            eachPass?.Invoke();
            Thread.Sleep(5);
        }
    }
}
