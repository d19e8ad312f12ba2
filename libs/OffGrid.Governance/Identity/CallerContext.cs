using Microsoft.Extensions.AI;

namespace OffGrid.Governance.Identity;

/// <summary>
/// How the caller's identity reaches governance middleware (<c>UseQuotas</c>, <c>UseAudit</c>) without HTTP: per call in
/// <see cref="ChatOptions.AdditionalProperties"/>[<see cref="PropertyName"/>] (see <see cref="CallerChatOptionsExtensions.WithCaller(ChatOptions, string)"/>),
/// or for a whole flow of work with <see cref="Enter(Caller)"/>, which the ASP.NET Core integration does per request.
/// </summary>
/// <remarks>
/// The ambient caller is an <see cref="AsyncLocal{T}"/>: it flows into awaited calls and tasks started inside the scope, and
/// is private to that flow. The per-call property wins over the ambient caller.
/// </remarks>
public static class CallerContext
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key: a <see cref="Caller"/>, or a user name as a <see cref="string"/>.</summary>
    public const string PropertyName = "offgrid.caller";

    private static readonly AsyncLocal<Caller?> s_current = new();

    /// <summary>Gets the ambient caller of the current flow, or <see langword="null"/>.</summary>
    public static Caller? Current => s_current.Value;

    /// <summary>Makes <paramref name="caller"/> the ambient caller until the returned scope is disposed.</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>A scope that restores the previous caller when disposed.</returns>
    public static IDisposable Enter(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        Caller? previous = s_current.Value;
        s_current.Value = caller;
        return new Scope(previous);
    }

    /// <summary>Gets the caller of a model call: the per-call property of <paramref name="options"/>, else the ambient caller.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns>The caller, or <see langword="null"/> when none was given.</returns>
    public static Caller? Resolve(ChatOptions? options) => Resolve(options?.AdditionalProperties);

    /// <summary>Gets the caller named in a call's additional properties (chat or embedding options), else the ambient caller.</summary>
    internal static Caller? Resolve(AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(PropertyName, out object? value) == true
            ? value switch
            {
                Caller caller => caller,
                string { Length: > 0 } name => new Caller(name),
                _ => Current,
            }
            : Current;

    /// <summary>Gets the caller of a governed call.</summary>
    /// <exception cref="AccessDeniedException">The call names no caller and there is no ambient one.</exception>
    internal static Caller Require(AdditionalPropertiesDictionary? properties) =>
        Resolve(properties) ?? throw new AccessDeniedException(AccessDeniedReason.NoCaller, "The call names no caller: send an API key, or set CallerContext in an embedded app.");

    private sealed class Scope(Caller? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                s_current.Value = previous;
            }
        }
    }
}
