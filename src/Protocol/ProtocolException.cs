namespace VirtioForwarder.Protocol;

/// <summary>A message that breaks the protocol, or a request the device cannot honour. Ends that one connection.</summary>
public sealed class ProtocolException(string message) : Exception(message);
