using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace OffGrid.Governance.Audit;

/// <summary>
/// Seals audit records with HMAC-SHA256 under a 256-bit secret key kept in a file beside (or away from) the database. Without the
/// key an edited record cannot be re-sealed, so editing, deleting or reordering entries is detected even by someone who can
/// rewrite the whole database file. A record is sealed over a canonical JSON array of its fields, so no two different records
/// share an encoding.
/// </summary>
/// <remarks>Thread-safe: <see cref="HMACSHA256.HashData(byte[], byte[])"/> is a static one-shot.</remarks>
internal sealed class AuditSeal
{
    /// <summary>The previous hash of the first entry of a new chain.</summary>
    public static readonly string Genesis = new('0', 64);

    private const int KeyBytes = 32;
    private readonly byte[] _key;

    private AuditSeal(byte[] key) => _key = key;

    /// <summary>Reads the key file, creating it (owner read/write only) when it does not exist.</summary>
    public static AuditSeal Load(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            byte[] fresh = RandomNumberGenerator.GetBytes(KeyBytes);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(path, options);
                stream.Write(fresh);
                stream.Flush(flushToDisk: true);
                return new AuditSeal(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created the key first; use theirs.
            }
        }

        byte[] key = File.ReadAllBytes(path);
        if (key.Length != KeyBytes)
        {
            throw new InvalidDataException($"The audit key {path} is damaged: it must hold exactly {KeyBytes} bytes.");
        }

        return new AuditSeal(key);
    }

    public string SealEntry(long sequence, AuditEvent entry, string previousHash) => Seal(writer =>
    {
        writer.WriteStringValue("entry");
        writer.WriteNumberValue(sequence);
        writer.WriteNumberValue(entry.Timestamp!.Value.ToUnixTimeMilliseconds());
        WriteOptional(writer, entry.UserName);
        WriteOptional(writer, entry.KeyId);
        WriteOptional(writer, entry.ClientAddress);
        WriteOptional(writer, entry.Method);
        writer.WriteStringValue(entry.Route);
        WriteOptional(writer, entry.Model);
        WriteOptional(writer, entry.InputTokens);
        WriteOptional(writer, entry.OutputTokens);
        writer.WriteNumberValue(entry.Status);
        writer.WriteNumberValue(ToMicroseconds(entry.Latency));
        WriteOptional(writer, entry.Prompt);
        WriteOptional(writer, entry.Answer);
        writer.WriteStringValue(previousHash);
    });

    /// <summary>Seals a chain marker (the head, or the retention anchor).</summary>
    public string SealMarker(string name, long sequence, string hash, long removed, long at) => Seal(writer =>
    {
        writer.WriteStringValue(name);
        writer.WriteNumberValue(sequence);
        writer.WriteStringValue(hash);
        writer.WriteNumberValue(removed);
        writer.WriteNumberValue(at);
    });

    public static long ToMicroseconds(TimeSpan latency) => latency.Ticks / TimeSpan.TicksPerMicrosecond;

    private string Seal(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            fields(writer);
            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, buffer.WrittenSpan));
    }

    private static void WriteOptional(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, long? value)
    {
        if (value is long number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
