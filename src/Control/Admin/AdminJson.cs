using System.Text.Json.Serialization;

namespace VirtioForwarder.Control.Admin;

/// <summary>
/// The admin channel's JSON, generated at compile time: snake_case names, nulls left out, relay
/// states by upstream's names (VIRTIO_READY, DPDK_ADDED, ...), as its stats show them. No
/// reflection, so the daemon also runs published as Native AOT (./bench runtime).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(AdminRequest))]
[JsonSerializable(typeof(AdminReply))]
public sealed partial class AdminJson : JsonSerializerContext
{
}
