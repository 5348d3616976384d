using System.Globalization;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Strict decimal numbers for option values. Upstream reads most of them with atoi/sscanf, which
/// take "5x" as 5 and "x" as 0; we refuse anything but plain digits so that typos fail loudly.
/// </summary>
internal static class DecimalArgument
{
    /// <summary>Parses plain ASCII digits into <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static int Parse(string text, int min, int max, string what)
    {
        bool digitsOnly = text.Length > 0 && text.All(char.IsAsciiDigit);
        if (!digitsOnly || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new CommandLineException($"Invalid {what} '{text}': expected a decimal number");
        if (value < min || value > max)
            throw new CommandLineException($"Invalid {what} {value}: must be {min}-{max}");
        return value;
    }
}
