using System.Text;

namespace OffGrid.Distribution.Packages;

/// <summary>The <c>install.sh</c> and <c>install.ps1</c> of a package: templates embedded in this assembly, filled in with the tool's name, version and entry point.</summary>
internal static class InstallScripts
{
    public static byte[] Shell(PackageTool? tool) => Render("install.sh", tool, "\n");

    public static byte[] PowerShell(PackageTool? tool) => Render("install.ps1", tool, "\r\n");

    private static byte[] Render(string name, PackageTool? tool, string newline)
    {
        using Stream stream = typeof(InstallScripts).Assembly.GetManifestResourceStream($"OffGrid.Distribution.Packages.Scripts.{name}")
            ?? throw new InvalidOperationException($"The {name} template is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string text = reader.ReadToEnd()
            .Replace("@TOOL_PACKAGE@", tool?.Path ?? string.Empty, StringComparison.Ordinal)
            .Replace("@TOOL_VERSION@", tool?.Version ?? string.Empty, StringComparison.Ordinal)
            .Replace("@TOOL_COMMAND@", tool?.Command ?? "offgrid", StringComparison.Ordinal)
            .Replace("@TOOL_ENTRY@", tool?.EntryPoint ?? string.Empty, StringComparison.Ordinal)
            .ReplaceLineEndings(newline);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
    }
}
