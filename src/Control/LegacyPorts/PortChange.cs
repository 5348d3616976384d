namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>One step for <see cref="LegacyPortControl"/>: a conditional add, or a conditional remove.</summary>
public sealed record PortChange(bool IsAdd, PortIntent Intent)
{
    public static PortChange Add(PortIntent intent) => new(true, intent);

    public static PortChange Remove(PortIntent intent) => new(false, intent);

    public override string ToString() => $"{(IsAdd ? "add" : "remove")} {Intent}";
}
