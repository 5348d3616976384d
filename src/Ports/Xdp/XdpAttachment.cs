using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>Where the XDP program runs: in the driver (native) or on the kernel's generic skb path.</summary>
public enum XdpAttachMode { Native, Generic }

/// <summary>
/// The XSKMAP and redirect program attached to one interface through a BPF link: closing the
/// link fd detaches the program, so nothing stays attached if the daemon dies. Dispose closes
/// the link, the program and the map.
/// </summary>
internal sealed class XdpAttachment : IDisposable
{
    /// <summary>Slots in the XSKMAP: one per queue the interface may carry.</summary>
    public const int MaxQueues = 64;

    private readonly int _mapFd, _programFd, _linkFd;

    private XdpAttachment(int mapFd, int programFd, int linkFd, XdpAttachMode mode)
    {
        _mapFd = mapFd;
        _programFd = programFd;
        _linkFd = linkFd;
        Mode = mode;
    }

    public XdpAttachMode Mode { get; }

    /// <summary>
    /// Attaches in <paramref name="mode"/>, or, for null, natively if the driver can and generically
    /// otherwise. Throws <see cref="SystemCallException"/> if the kernel refuses (e.g. EBUSY: another
    /// XDP program is attached).
    /// </summary>
    public static XdpAttachment Attach(int ifindex, string interfaceName, XdpAttachMode? mode)
    {
        int mapFd = Bpf.CreateMap(Bpf.MapTypeXskMap, sizeof(uint), sizeof(uint), MaxQueues, "vfwd_xsks");
        int programFd = -1;
        try
        {
            programFd = Bpf.LoadProgram(Bpf.ProgramTypeXdp, Bpf.AttachTypeXdp, XskRedirectProgram.Instructions(mapFd), "vfwd_xsk");
            if (mode is { } only) return new XdpAttachment(mapFd, programFd, Link(programFd, ifindex, only), only);
            try
            {
                return new XdpAttachment(mapFd, programFd, Link(programFd, ifindex, XdpAttachMode.Native), XdpAttachMode.Native);
            }
            catch (SystemCallException e) when (e.ErrorNumber is Errno.ENOTSUP or Errno.EINVAL)
            {
                Log.Info($"{interfaceName}: no native XDP ({e.Message}); attaching on the generic skb path");
                return new XdpAttachment(mapFd, programFd, Link(programFd, ifindex, XdpAttachMode.Generic), XdpAttachMode.Generic);
            }
        }
        catch
        {
            if (programFd >= 0) Libc.Close(programFd);
            Libc.Close(mapFd);
            throw;
        }
    }

    /// <summary>Sends frames of <paramref name="queue"/> to the AF_XDP socket <paramref name="socketFd"/>.</summary>
    public void Register(int queue, int socketFd) => Bpf.UpdateMapElement(_mapFd, (uint)queue, (uint)socketFd);

    public void Dispose()
    {
        Libc.Close(_linkFd);
        Libc.Close(_programFd);
        Libc.Close(_mapFd);
    }

    private static int Link(int programFd, int ifindex, XdpAttachMode mode) =>
        Bpf.CreateLink(programFd, ifindex, Bpf.AttachTypeXdp,
            mode == XdpAttachMode.Native ? XskInterop.XDP_FLAGS_DRV_MODE : XskInterop.XDP_FLAGS_SKB_MODE);
}
