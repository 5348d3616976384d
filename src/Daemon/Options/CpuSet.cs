using System.Globalization;
using System.Numerics;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// A set of CPUs 0..63 as upstream's 64-bit worker bitmap (<c>-C</c>, contract §8).
/// </summary>
public readonly record struct CpuSet(ulong Mask)
{
    /// <summary>CPUs are numbered below this in masks, -C lists and -c pins.</summary>
    public const int Limit = 64;

    public bool IsEmpty => Mask == 0;

    public int Count => BitOperations.PopCount(Mask);

    /// <summary>The CPUs in ascending order.</summary>
    public IReadOnlyList<int> Cpus =>
        Enumerable.Range(0, Limit).Where(Contains).ToArray();

    public bool Contains(int cpu) => (uint)cpu < Limit && (Mask & (1UL << cpu)) != 0;

    public static CpuSet Of(params int[] cpus) =>
        new(cpus.Aggregate(0UL, (mask, cpu) => mask | Bit(cpu)));

    /// <summary>
    /// Parses <c>0x&lt;hex&gt;</c> (hex digits only, at most 64 bits) or a comma list of decimal
    /// CPUs below 64 (empty items skipped, no ranges). The result must not be empty; unlike
    /// upstream, <c>0x</c> alone is refused here rather than failing later.
    /// </summary>
    public static CpuSet Parse(string text)
    {
        CpuSet set = text.StartsWith("0x", StringComparison.Ordinal) ? ParseHex(text[2..]) : ParseList(text);
        return set.IsEmpty ? throw new CommandLineException($"CPU set '{text}' is empty") : set;
    }

    /// <summary>Comma list, e.g. <c>1,2,5</c>.</summary>
    public override string ToString() => string.Join(",", Cpus);

    /// <summary>Hex mask form, e.g. <c>0x26</c>.</summary>
    public string ToHex() => "0x" + Mask.ToString("x", CultureInfo.InvariantCulture);

    private static CpuSet ParseHex(string digits)
    {
        if (!digits.All(char.IsAsciiHexDigit))
            throw new CommandLineException($"Invalid hex CPU bitmap '0x{digits}'");
        if (digits.TrimStart('0').Length > Limit / 4)
            throw new CommandLineException($"Hex CPU bitmap '0x{digits}' is wider than {Limit} bits");
        return digits.Length == 0 ? default
            : new(ulong.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }

    private static CpuSet ParseList(string text)
    {
        if (!text.All(c => char.IsAsciiDigit(c) || c == ','))
            throw new CommandLineException($"Invalid comma separated list of CPUs '{text}'");
        ulong mask = 0;
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
            mask |= Bit(ParseCpu(item));
        return new(mask);
    }

    /// <summary>A decimal CPU number below <see cref="Limit"/>; shared with the -c pins.</summary>
    internal static int ParseCpu(string text) =>
        DecimalArgument.Parse(text, 0, Limit - 1, "CPU");

    private static ulong Bit(int cpu) =>
        (uint)cpu < Limit ? 1UL << cpu : throw new ArgumentOutOfRangeException(nameof(cpu));
}
