using Microsoft.Extensions.Options;

namespace OffGrid.Server;

/// <summary>Checks <see cref="ServerOptions"/> when the host starts, listing every problem at once.</summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        List<string> failures = [.. options.Validate()];
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
