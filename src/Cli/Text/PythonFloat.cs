using System.Globalization;
using System.Text;

namespace VirtioForwarder.Cli.Text;

/// <summary>
/// Python's repr of a float (a double): the shortest digits that read back to the same value,
/// fixed notation when the decimal exponent is in [-4, 16), otherwise d.ddde±XX. Upstream's
/// clients print the rates this way, as float32 widened to double (docs/control-contract.md §7.2).
/// </summary>
internal static class PythonFloat
{
    public static string Repr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        var (digits, point) = ShortestDigits(Math.Abs(value));
        var text = new StringBuilder(value < 0 ? "-" : "");
        if (point is > -4 and <= 16)
            AppendFixed(text, digits, point);
        else
            AppendExponent(text, digits, point - 1);
        return text.ToString();
    }

    // .NET's "R" is the shortest round-trip form too; only its layout differs from Python's.
    // Returns the significant digits and where the decimal point sits: value = 0.DIGITS × 10^point.
    private static (string Digits, int Point) ShortestDigits(double magnitude)
    {
        string r = magnitude.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int dot = mantissa.IndexOf('.');
        string digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        int point = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        return (digits.Trim('0'), point - leadingZeros);
    }

    private static void AppendFixed(StringBuilder text, string digits, int point)
    {
        if (point <= 0)
            text.Append("0.").Append('0', -point).Append(digits);
        else if (point >= digits.Length)
            text.Append(digits).Append('0', point - digits.Length).Append(".0");
        else
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
    }

    private static void AppendExponent(StringBuilder text, string digits, int exponent)
    {
        text.Append(digits[0]);
        if (digits.Length > 1)
            text.Append('.').Append(digits, 1, digits.Length - 1);
        text.Append('e').Append(exponent < 0 ? '-' : '+')
            .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
    }
}
