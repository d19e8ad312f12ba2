using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Chat;

/// <summary>Reads a request's <c>num_ctx</c>: the per-sequence context the model is loaded with for that request.</summary>
internal static class ContextSizeOption
{
    private const int Minimum = 16;

    /// <summary>Returns the requested context size, or <see langword="null"/> for the server's own.</summary>
    /// <exception cref="ApiException">400 for a context under 16 tokens.</exception>
    public static int? Read(int? value, string param) =>
        value is < Minimum ? throw ApiException.BadRequest($"'{param}' must be at least {Minimum}.", param) : value;
}
