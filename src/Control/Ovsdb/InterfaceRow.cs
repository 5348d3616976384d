using System.Globalization;
using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>
/// The monitored columns of one Open_vSwitch Interface row: <c>name</c> (the netdev) and
/// <c>external_ids</c>. A row asks for a relay when its external_ids hold
/// <c>virtio_forwarder_relay=&lt;id&gt;</c> (ours: the relay is given) or upstream's
/// <c>virtio_forwarder</c> / <c>virtio_relay</c> keys (the relay comes from the netdev).
/// </summary>
public sealed record InterfaceRow(string Name, IReadOnlyDictionary<string, string> ExternalIds)
{
    public const string RelayKey = "virtio_forwarder_relay";

    /// <summary>Upstream's keys: their value was parsed but the NFP VF number chose the relay.</summary>
    public static readonly string[] UpstreamKeys = ["virtio_forwarder", "virtio_relay"];

    public static readonly InterfaceRow Empty = new("", new Dictionary<string, string>());

    /// <summary>What the row asks of the daemon, or null when nothing (or something unusable, in <paramref name="problem"/>).</summary>
    public PortIntent? Intent(out string? problem)
    {
        problem = null;
        if (Name.Length == 0) return null;
        if (ExternalIds.TryGetValue(RelayKey, out string? id))
        {
            if (int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int relay)) return new PortIntent(Name, relay);
            problem = $"OVSDB Interface {Name}: external_ids:{RelayKey}='{id}' is not a relay number; row ignored";
            return null;
        }
        return UpstreamKeys.Any(ExternalIds.ContainsKey) ? new PortIntent(Name) : null;
    }

    /// <summary>
    /// This row with the columns present in <paramref name="columns"/> (an RFC 7047 &lt;row&gt;)
    /// replaced; a modify's "new" carries every monitored column, but a row never loses one.
    /// </summary>
    public InterfaceRow With(JsonElement columns)
    {
        if (columns.ValueKind != JsonValueKind.Object) throw new JsonException("a row that is not an object");
        var row = this;
        if (columns.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            row = row with { Name = name.GetString()! };
        if (columns.TryGetProperty("external_ids", out var ids))
            row = row with { ExternalIds = ParseStringMap(ids) };
        return row;
    }

    // RFC 7047 §5.1: a map is ["map", [[key, value], ...]]; both are strings in external_ids.
    private static Dictionary<string, string> ParseStringMap(JsonElement map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map.ValueKind != JsonValueKind.Array || map.GetArrayLength() != 2 ||
            map[0].ValueKind != JsonValueKind.String || !map[0].ValueEquals("map") || map[1].ValueKind != JsonValueKind.Array)
            throw new JsonException("external_ids is not an OVSDB map");
        foreach (var pair in map[1].EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 ||
                pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String)
                throw new JsonException("external_ids holds a pair that is not two strings");
            result[pair[0].GetString()!] = pair[1].GetString()!;
        }
        return result;
    }
}
