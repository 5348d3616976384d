namespace VirtioForwarder.Ports.Tests.Support;

public static class UniqueName
{
    /// <summary>The prefix and 8 random hex digits: short enough for an interface name after a 7-character prefix.</summary>
    public static string New(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];
}
