using System.Text.Json;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>
/// Splits the byte stream of an OVSDB connection into JSON-RPC messages. RFC 7047 §4 sends bare
/// JSON objects one after another, with no length prefix or delimiter, so a message ends where its
/// outermost object closes; reads may cut anywhere, even inside a UTF-8 sequence.
/// </summary>
public sealed class JsonStreamFramer(int maxMessageBytes = JsonStreamFramer.DefaultMaxMessageBytes)
{
    /// <summary>Far above any Interface table update; a peer that sends more is not an ovsdb-server.</summary>
    public const int DefaultMaxMessageBytes = 16 << 20;

    private byte[] _buffer = new byte[4096];
    private int _start, _end;

    /// <summary>Bytes received but not yet taken as a message.</summary>
    public int Pending => _end - _start;

    /// <summary>Adds received bytes. Throws <see cref="JsonException"/> when an unfinished message passes the limit.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (Pending + data.Length > maxMessageBytes)
            throw new JsonException($"a JSON-RPC message longer than {maxMessageBytes} bytes");
        if (_end + data.Length > _buffer.Length)
        {
            var target = Pending + data.Length > _buffer.Length
                ? new byte[Math.Max(_buffer.Length * 2, Pending + data.Length)]
                : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, Pending);
            (_buffer, _end, _start) = (target, Pending, 0);
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>
    /// The next complete message, or null until more bytes arrive. Throws <see cref="JsonException"/>
    /// for malformed JSON or a message that is not an object: the stream cannot be resynchronised
    /// after that, so the caller drops the connection.
    /// </summary>
    public JsonDocument? TryTake()
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, Pending), isFinalBlock: false, state: default);
        // An unfinished value makes TryParseValue give up without consuming anything.
        if (!JsonDocument.TryParseValue(ref reader, out var message)) return null;
        _start += (int)reader.BytesConsumed;
        if (_start == _end) _start = _end = 0;
        if (message.RootElement.ValueKind != JsonValueKind.Object)
        {
            message.Dispose();
            throw new JsonException("a JSON-RPC message that is not an object");
        }
        return message;
    }
}
