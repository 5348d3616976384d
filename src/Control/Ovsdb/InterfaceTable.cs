using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>
/// The Interface rows the monitor has seen, by UUID, and the port changes each update brings
/// (RFC 7047 §4.1.6 &lt;table-updates&gt;). A row whose intent changes is removed as it was, then
/// added as it is, like upstream's "old"/"new" handling. In each batch every remove comes before
/// every add, so a netdev can move between relays and a relay can pass from one netdev to another.
/// </summary>
public sealed class InterfaceTable
{
    public const string TableName = "Interface";

    private readonly Dictionary<string, InterfaceRow> _rows = new(StringComparer.Ordinal);

    public int Count => _rows.Count;

    /// <summary>An "update" notification's table-updates: insertions, modifications, deletions.</summary>
    public IReadOnlyList<PortChange> Apply(JsonElement tableUpdates)
    {
        var before = new Dictionary<string, InterfaceRow?>(StringComparer.Ordinal);
        foreach (var (uuid, update) in RowUpdates(tableUpdates))
        {
            _rows.TryGetValue(uuid, out var old);
            before.TryAdd(uuid, old);
            if (update.TryGetProperty("new", out var columns))
                _rows[uuid] = (old ?? InterfaceRow.Empty).With(columns);
            else
                _rows.Remove(uuid);
        }
        return Diff(before.Select(b => (b.Value, _rows.GetValueOrDefault(b.Key))));
    }

    /// <summary>
    /// The monitor reply: every row as it is now. After a reconnection it replaces what was known,
    /// so rows deleted or changed while the connection was down are removed (and re-added).
    /// </summary>
    public IReadOnlyList<PortChange> Reset(JsonElement tableUpdates)
    {
        var before = new Dictionary<string, InterfaceRow>(_rows, StringComparer.Ordinal);
        _rows.Clear();
        foreach (var (uuid, update) in RowUpdates(tableUpdates))
            if (update.TryGetProperty("new", out var columns)) _rows[uuid] = InterfaceRow.Empty.With(columns);
        var uuids = before.Keys.Union(_rows.Keys);
        return Diff(uuids.Select(u => (before.GetValueOrDefault(u), _rows.GetValueOrDefault(u))));
    }

    private static IEnumerable<(string Uuid, JsonElement Update)> RowUpdates(JsonElement tableUpdates)
    {
        if (tableUpdates.ValueKind != JsonValueKind.Object) throw new JsonException("table-updates is not an object");
        if (!tableUpdates.TryGetProperty(TableName, out var rows)) yield break;
        if (rows.ValueKind != JsonValueKind.Object) throw new JsonException("table-update is not an object");
        foreach (var row in rows.EnumerateObject())
        {
            if (row.Value.ValueKind != JsonValueKind.Object) throw new JsonException($"row-update {row.Name} is not an object");
            yield return (row.Name, row.Value);
        }
    }

    private static List<PortChange> Diff(IEnumerable<(InterfaceRow? Before, InterfaceRow? After)> rows)
    {
        var removes = new List<PortChange>();
        var adds = new List<PortChange>();
        foreach (var (beforeRow, afterRow) in rows)
        {
            var was = IntentOf(beforeRow, report: false);
            var now = IntentOf(afterRow, report: true);
            if (was == now) continue;
            if (was is not null) removes.Add(PortChange.Remove(was));
            if (now is not null) adds.Add(PortChange.Add(now));
        }
        removes.AddRange(adds);
        return removes;
    }

    private static PortIntent? IntentOf(InterfaceRow? row, bool report)
    {
        if (row is null) return null;
        var intent = row.Intent(out string? problem);
        if (problem is not null && report) Log.Warning(problem);
        return intent;
    }
}
