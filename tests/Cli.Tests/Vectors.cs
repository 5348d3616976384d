using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

/// <summary>
/// A stats reply with an active relay, an idle one and one with only a device, and what
/// upstream's virtioforwarder_stats.py prints for it, recorded with Debian's python3-protobuf.
/// </summary>
internal static class Vectors
{
    public static StatsResponse StatsReply => StatsResponse.Parser.ParseFrom(Convert.FromHexString(Read("stats-reply.hex").Trim()));

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", name));
}
