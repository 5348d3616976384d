using System.Net;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// Network safety: test traffic only uses the benchmarking range 198.18.0.0/15 (RFC 2544), and
/// only inside namespaces the harness created. Every address the harness configures or pings
/// goes through <see cref="Require"/>.
/// </summary>
public static class TestAddresses
{
    public const string HostIp = "198.18.0.1";
    public const string GuestIp = "198.18.0.2";
    public const string HostCidr = HostIp + "/24";
    public const string GuestCidr = GuestIp + "/24";

    private static readonly IPNetwork TestRange = IPNetwork.Parse("198.18.0.0/15");

    /// <summary>Throws unless <paramref name="address"/> (an address or CIDR) lies in 198.18.0.0/15.</summary>
    public static string Require(string address)
    {
        var host = address.Split('/')[0];
        if (!TestRange.Contains(IPAddress.Parse(host)))
            throw new ArgumentException($"{address} is outside the test range {TestRange}", nameof(address));
        return address;
    }
}
