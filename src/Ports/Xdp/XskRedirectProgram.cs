namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// The XDP program every AF_XDP port needs, assembled here so no compiler or libbpf is needed
/// at run time. In C it reads
/// <code>return bpf_redirect_map(&amp;xsks, ctx->rx_queue_index, XDP_PASS);</code>
/// frames of a queue whose slot in the XSKMAP holds a socket go to that socket, all others
/// (flags' low bits are the action when the slot is empty, kernel 5.3+) to the kernel's stack.
/// Encoding: kernel doc bpf/standardization/instruction-set (struct bpf_insn, little-endian:
/// opcode, dst_reg in the low and src_reg in the high nibble, 16-bit offset, 32-bit immediate).
/// </summary>
public static class XskRedirectProgram
{
    private const byte LoadWordFromMemory = 0x61;   // BPF_LDX | BPF_MEM | BPF_W
    private const byte LoadImmediate64 = 0x18;      // BPF_LD | BPF_IMM | BPF_DW, two slots
    private const byte MoveImmediate64 = 0xb7;      // BPF_ALU64 | BPF_MOV | BPF_K
    private const byte Call = 0x85;                 // BPF_JMP | BPF_CALL
    private const byte Exit = 0x95;                 // BPF_JMP | BPF_EXIT

    private const byte PseudoMapFd = 1;             // src_reg of a 64-bit load: imm is a map fd
    private const short RxQueueIndexOffset = 16;    // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index
    private const int HelperRedirectMap = 51;       // BPF_FUNC_redirect_map
    private const int XdpPass = 2;

    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3;

    /// <summary>The program's instructions for the XSKMAP whose fd is <paramref name="xskMapFd"/>.</summary>
    public static ulong[] Instructions(int xskMapFd) =>
    [
        Encode(LoadWordFromMemory, R2, R1, RxQueueIndexOffset, 0),   // r2 = ctx->rx_queue_index
        Encode(LoadImmediate64, R1, PseudoMapFd, 0, xskMapFd),       // r1 = &xsks
        Encode(0, 0, 0, 0, 0),                                       //      (upper half of the 64-bit load)
        Encode(MoveImmediate64, R3, 0, 0, XdpPass),                  // r3 = XDP_PASS
        Encode(Call, 0, 0, 0, HelperRedirectMap),                    // r0 = bpf_redirect_map(r1, r2, r3)
        Encode(Exit, R0, 0, 0, 0),                                   // return r0
    ];

    private static ulong Encode(byte opcode, byte destination, byte source, short offset, int immediate) =>
        opcode | (ulong)(byte)(destination | source << 4) << 8 | (ulong)(ushort)offset << 16 | (ulong)(uint)immediate << 32;
}
