namespace VirtioForwarder.Control.Tests.Protobuf;

/// <summary>
/// Bad frames for a service (docs/control-contract.md §1: every request gets exactly one reply):
/// random bytes, or a valid request cut short or with one byte changed. Also used by the
/// EndToEnd tests against the real daemon.
/// </summary>
internal static class FrameFuzz
{
    public static byte[] Next(Random random, byte[] valid)
    {
        switch (random.Next(3))
        {
            case 0:
                var bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return valid[..random.Next(0, valid.Length + 1)];
            default:
                var flipped = (byte[])valid.Clone();
                if (flipped.Length > 0) flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
        }
    }
}
