using System.Text;

namespace OffGrid.Rag.Ingestion;

/// <summary>Turns bytes into text: honours byte order marks, prefers strict UTF-8, falls back to Latin-1, and rejects binary content.</summary>
internal static class TextDecoder
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/> and names the encoding used.</summary>
    public static (string Text, string Encoding) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (DecodeStrict(s_strictUtf8, bytes[3..]), "utf-8");
        }

        // UTF-32 LE must be tested before UTF-16 LE: its mark starts with the same two bytes.
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return (DecodeStrict(new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), bytes[4..]), "utf-32");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (DecodeStrict(new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..]), "utf-16le");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (DecodeStrict(new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), bytes[2..]), "utf-16be");
        }

        ThrowIfBinary(bytes);
        try
        {
            return (s_strictUtf8.GetString(bytes), "utf-8");
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8 but free of control bytes: legacy single-byte text, most often Latin-1/Windows-1252.
            return (Encoding.Latin1.GetString(bytes), "iso-8859-1");
        }
    }

    private static string DecodeStrict(Encoding encoding, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return encoding.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DocumentReadException($"The text is not valid {encoding.WebName} although it starts with that byte order mark.", ex);
        }
    }

    private static void ThrowIfBinary(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> sample = bytes[..Math.Min(bytes.Length, 8192)];
        int control = 0;
        foreach (byte b in sample)
        {
            if (b == 0)
            {
                throw new DocumentReadException("The content is binary (it contains NUL bytes), not text.");
            }

            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not (byte)'\f')
            {
                control++;
            }
        }

        // Real text has almost no control characters; a few percent means an unknown binary format.
        if (sample.Length > 0 && control * 100 > sample.Length * 2)
        {
            throw new DocumentReadException("The content is binary (too many control bytes), not text.");
        }
    }
}
