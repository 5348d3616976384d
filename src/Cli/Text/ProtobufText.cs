using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace VirtioForwarder.Cli.Text;

/// <summary>
/// Protobuf text format as upstream's clients print a message with Python's <c>print(reply)</c>
/// (python3-protobuf 3.21, docs/control-contract.md §7.1, §7.2, §7.4): present fields in
/// field-number order, one per line, nested messages as <c>name {</c> … <c>}</c> indented by two
/// spaces, enums by name, booleans true/false, strings quoted with C escapes of their UTF-8
/// bytes, floats as Python's repr. Google.Protobuf has no printer for this (its ToString is JSON).
/// </summary>
internal static class ProtobufText
{
    /// <summary>The text, every line ending in a newline, as Python's str(message) is.</summary>
    public static string Format(IMessage message)
    {
        var text = new StringBuilder();
        AppendFields(text, message, "");
        return text.ToString();
    }

    private static void AppendFields(StringBuilder text, IMessage message, string indent)
    {
        foreach (FieldDescriptor field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            object value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                foreach (object element in (IList)value)
                    AppendField(text, field, element, indent);
            }
            else if (field.Accessor.HasValue(message))
            {
                AppendField(text, field, value, indent);
            }
        }
    }

    private static void AppendField(StringBuilder text, FieldDescriptor field, object value, string indent)
    {
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            text.Append(indent).Append(field.Name).Append(" {\n");
            AppendFields(text, (IMessage)value, indent + "  ");
            text.Append(indent).Append("}\n");
            return;
        }
        text.Append(indent).Append(field.Name).Append(": ").Append(Scalar(field, value)).Append('\n');
    }

    private static string Scalar(FieldDescriptor field, object value) => field.FieldType switch
    {
        FieldType.Enum => EnumName(field, Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        FieldType.Bool => (bool)value ? "true" : "false",
        FieldType.String => Quote(Encoding.UTF8.GetBytes((string)value)),
        FieldType.Bytes => Quote(((ByteString)value).ToByteArray()),
        FieldType.Float => PythonFloat.Repr((float)value),
        FieldType.Double => PythonFloat.Repr((double)value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string EnumName(FieldDescriptor field, int number) =>
        field.EnumType.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture);

    // Python's text_encoding.CEscape with as_utf8=False: named escapes for \n \r \t " ' \, octal
    // for every other byte outside printable ASCII.
    private static string Quote(byte[] bytes)
    {
        var text = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\'': text.Append("\\'"); break;
                case (byte)'\\': text.Append("\\\\"); break;
                case < 32 or >= 127: text.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0')); break;
                default: text.Append((char)b); break;
            }
        }
        return text.Append('"').ToString();
    }
}
