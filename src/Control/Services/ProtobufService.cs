using Google.Protobuf;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.Services;

/// <summary>
/// A service whose requests are one protobuf message. A request decodes the way upstream's
/// protobuf-c unpack judges one: malformed bytes, or a message lacking a required field (a
/// PciAddress without its bus, say), get <see cref="UndecodableReply"/>.
/// </summary>
public abstract class ProtobufService<TRequest>(MessageParser<TRequest> parser) : IControlService
    where TRequest : IMessage<TRequest>
{
    public abstract string Name { get; }

    public byte[] UndecodableReply => Undecodable.ToByteArray();

    /// <summary>This service's reply to a request that does not decode.</summary>
    protected abstract IMessage Undecodable { get; }

    public byte[] Handle(byte[] request, CancellationToken stopping)
    {
        TRequest? decoded;
        try
        {
            decoded = parser.ParseFrom(request);
        }
        catch (InvalidProtocolBufferException)
        {
            decoded = default;
        }
        if (decoded is not null && decoded.IsInitialized())
            return Answer(decoded, stopping).ToByteArray();
        Log.Warning($"{typeof(TRequest).Name}: {request.Length} bytes that do not decode");
        return UndecodableReply;
    }

    protected abstract IMessage Answer(TRequest request, CancellationToken stopping);
}
