using System.Text;
using System.Text.Json;
using VirtioForwarder.Control.Ovsdb;

namespace VirtioForwarder.Control.Tests.Ovsdb;

public sealed class JsonStreamFramerTests
{
    // Braces and quotes inside strings, escapes, multi-byte UTF-8, nesting: all must not end a message early.
    private static readonly string[] Messages =
    [
        """{"id":0,"result":{"Interface":{}},"error":null}""",
        """{"method":"echo","params":["a}\"{b"],"id":"echo"}""",
        """{"method":"update","params":["m",{"Interface":{"u":{"new":{"name":"ëth→1","external_ids":["map",[["k","v"]]]}}}}],"id":null}""",
    ];

    private static readonly byte[] Stream = Encoding.UTF8.GetBytes(string.Concat(Messages));

    private static List<string> TakeAll(JsonStreamFramer framer)
    {
        var taken = new List<string>();
        while (framer.TryTake() is { } doc)
            using (doc) taken.Add(doc.RootElement.GetRawText());
        return taken;
    }

    [Fact]
    public void Concatenated_objects_come_out_one_by_one()
    {
        var framer = new JsonStreamFramer();
        framer.Append(Stream);
        Assert.Equal(Messages, TakeAll(framer));
        Assert.Equal(0, framer.Pending);
    }

    [Fact]
    public void A_stream_cut_at_every_byte_gives_the_same_messages()
    {
        for (int cut = 1; cut < Stream.Length; cut++)
        {
            var framer = new JsonStreamFramer();
            framer.Append(Stream.AsSpan(0, cut));
            var taken = TakeAll(framer);
            framer.Append(Stream.AsSpan(cut));
            taken.AddRange(TakeAll(framer));
            Assert.Equal(Messages, taken);
        }
    }

    [Fact]
    public void Byte_by_byte_delivery_works_and_whitespace_between_messages_is_skipped()
    {
        var framer = new JsonStreamFramer();
        var taken = new List<string>();
        foreach (byte b in Encoding.UTF8.GetBytes(" \n" + string.Join("\r\n ", Messages)))
        {
            framer.Append([b]);
            taken.AddRange(TakeAll(framer));
        }
        Assert.Equal(Messages, taken);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":}")]
    [InlineData("}{")]
    public void A_message_that_is_not_a_JSON_object_is_an_error(string text)
    {
        var framer = new JsonStreamFramer();
        framer.Append(Encoding.UTF8.GetBytes(text));
        Assert.ThrowsAny<JsonException>(() => framer.TryTake());
    }

    [Fact]
    public void An_endless_message_is_refused_at_the_limit()
    {
        var framer = new JsonStreamFramer(maxMessageBytes: 1000);
        framer.Append(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 900)));
        Assert.Null(framer.TryTake());
        Assert.ThrowsAny<JsonException>(() => framer.Append(new byte[200]));
    }
}
