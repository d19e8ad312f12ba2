using System.Text.Json;

namespace OffGrid.Hub;

/// <summary>
/// Reads the message out of the body of an HTTP error answer from an OpenAI-compatible server (<c>{"error":{"message":"…"}}</c>,
/// OpenAI's API reference, "Error codes") or an Ollama one (<c>{"error":"…"}</c>, Ollama's <c>docs/api.md</c>), OffGrid's own
/// servers and model workers included: the one reader for every OffGrid client that shows such a message to a person.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class HttpErrorMessage
{
    /// <summary>The longest text <see cref="Read"/> and <see cref="Describe"/> return, in characters; longer text is cut and ends with <c>…</c>.</summary>
    public const int MaxLength = 500;

    /// <summary>The error's message when <paramref name="body"/> is an error in OpenAI's or Ollama's shape.</summary>
    /// <param name="body">The answer's body as text; <see langword="null"/> or empty for none.</param>
    /// <returns>
    /// The message, at most <see cref="MaxLength"/> characters; <see langword="null"/> for any other body (plain text, HTML,
    /// other JSON, invalid JSON, an empty message).
    /// </returns>
    public static string? Read(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("error", out JsonElement error))
            {
                return null;
            }

            JsonElement message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out JsonElement inner) ? inner : error;
            return message.ValueKind == JsonValueKind.String && message.GetString() is { } text && !string.IsNullOrWhiteSpace(text) ? Shorten(text.Trim()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The error's message (<see cref="Read"/>), or else the body itself on one line (a proxy's text, a web server's page), for a
    /// sentence that says why a request failed.
    /// </summary>
    /// <param name="body">The answer's body as text; <see langword="null"/> or empty for none.</param>
    /// <returns>At most <see cref="MaxLength"/> characters; <c>an empty answer</c> when there is no body.</returns>
    public static string Describe(string? body)
    {
        if (Read(body) is { } message)
        {
            return message;
        }

        return string.IsNullOrWhiteSpace(body)
            ? "an empty answer"
            : Shorten(string.Join(' ', body.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }

    private static string Shorten(string text)
    {
        if (text.Length <= MaxLength)
        {
            return text;
        }

        // Never split a surrogate pair: half of one is not text.
        int cut = char.IsHighSurrogate(text[MaxLength - 2]) ? MaxLength - 2 : MaxLength - 1;
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
