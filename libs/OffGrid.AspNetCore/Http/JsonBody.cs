using System.Text.Json;
using OffGrid.Inference;

namespace OffGrid.AspNetCore.Http;

/// <summary>Reads a request body as JSON, turning every way it can be wrong into a 4xx <see cref="ApiException"/>.</summary>
internal static class JsonBody
{
    /// <summary>Deserializes the body of <paramref name="request"/>.</summary>
    /// <exception cref="ApiException">400 for malformed JSON or wrong types, 413 for a body over the limit.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            // Buffered (bodies are limited by MaxRequestBodyBytes) so that text that is not UTF-8 is refused here, not later
            // where a field is read as a string.
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> text = body.GetBuffer().AsSpan(0, (int)body.Length);
            if (!System.Text.Unicode.Utf8.IsValid(text))
            {
                throw ApiException.BadRequest("The request body is not valid UTF-8 text.");
            }

            if (JsonUnicode.IndexOfLoneSurrogateEscape(text) is var at and >= 0)
            {
                throw ApiException.BadRequest($"The request body holds a lone UTF-16 surrogate escape ('{System.Text.Encoding.ASCII.GetString(text.Slice(at, 6))}' at byte {at + 1}), which is not Unicode text; send the character itself or both halves of its surrogate pair.");
            }

            body.Position = 0;
            return await JsonSerializer.DeserializeAsync<T>(body, ServerJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw ApiException.BadRequest("The request body must be a JSON object, not null.");
        }
        catch (JsonException ex) when (ex.Path is null or "$" && ex.BytePositionInLine is 0 && ex.LineNumber is 0)
        {
            throw ApiException.BadRequest("The request body is empty or not JSON; send a JSON object.");
        }
        catch (JsonException ex) when (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            // Bodies that refuse unknown fields: a misspelt option must not be ignored silently. The message (not the path,
            // which stops at the object) names the property; the type name in it means nothing to a client.
            int start = ex.Message.IndexOf('\'', StringComparison.Ordinal) + 1;
            string field = ex.Message[start..ex.Message.IndexOf('\'', start)];
            throw ApiException.BadRequest($"The request body has an unknown field '{field}'.", field);
        }
        catch (JsonException ex)
        {
            string? field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            string where = field is null ? string.Empty : $" at '{field}'";
            string reason = ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? "has the wrong type"
                : "is not valid JSON";
            throw ApiException.BadRequest($"The request body {reason}{where} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).", field);
        }
        catch (BadHttpRequestException ex)
        {
            throw new ApiException(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than the server accepts."
                : ex.Message);
        }
    }
}
