using System.Text.Json;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Embeddings;

/// <summary>Reads the texts to embed, which both APIs send as a string or an array of strings.</summary>
internal static class EmbeddingInput
{
    /// <summary>The most texts one request may embed.</summary>
    public const int MaxInputs = 2048;

    /// <exception cref="ApiException">400 when the input is missing, empty, holds non-strings or too many texts.</exception>
    public static string[] Read(JsonElement? input, string param)
    {
        string[] texts = input switch
        {
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                => [.. many.EnumerateArray().Select(e => e.GetString()!)],
            { ValueKind: JsonValueKind.Array } => throw ApiException.BadRequest($"'{param}' must hold strings; token arrays are not supported.", param),
            _ => throw ApiException.BadRequest($"'{param}' must be a string or an array of strings.", param),
        };

        if (texts.Length is 0 or > MaxInputs)
        {
            throw ApiException.BadRequest($"'{param}' must hold 1 to {MaxInputs} texts.", param);
        }

        if (Array.FindIndex(texts, t => t.Length == 0) is int empty and >= 0)
        {
            throw ApiException.BadRequest($"'{param}' item {empty} is empty.", param);
        }

        return texts;
    }
}
