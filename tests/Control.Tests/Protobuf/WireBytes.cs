using Google.Protobuf;

namespace VirtioForwarder.Control.Tests.Protobuf;

// Bytes written as the contract writes them, "08 00 12 ...", so vectors can be compared by eye.
internal static class WireBytes
{
    public static byte[] Parse(string spacedHex) => Convert.FromHexString(spacedHex.Replace(" ", ""));

    public static string Of(IMessage message) =>
        string.Join(' ', message.ToByteArray().Select(b => b.ToString("x2")));
}
