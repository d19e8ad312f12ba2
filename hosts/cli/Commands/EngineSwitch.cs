using System.Globalization;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The server configuration switch (<c>--Server:Pool:Engine:Threads=2</c>) that an <c>offgrid serve</c> option such as
/// <c>--threads 2</c> stands for, so that the option and the setting are one setting with one validation.
/// </summary>
internal static class EngineSwitch
{
    /// <summary>The switch that sets <paramref name="setting"/> (a path below <c>Server:Pool:Engine</c>, such as <c>Speculation:NgramSize</c>) to <paramref name="value"/>.</summary>
    public static string For(string setting, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"--Server:Pool:Engine:{setting}={value}");
}
