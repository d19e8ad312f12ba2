namespace OffGrid.Hub;

/// <summary>Settings of the OffGrid model hub: where models are kept.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class HubOptions
{
    /// <summary>The configuration section an app's settings are bound from.</summary>
    public const string SectionName = "Hub";

    /// <summary>Gets or sets the OffGrid home folder; <c>OFFGRID_HOME</c>, else <c>~/.offgrid</c>.</summary>
    public string HomeDirectory { get; set; } = DefaultHomeDirectory();

    /// <summary>Gets or sets the model store folder; <c>models</c> under <see cref="HomeDirectory"/> when <see langword="null"/>.</summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>Gets or sets the user alias file; <c>aliases.json</c> under <see cref="HomeDirectory"/> when <see langword="null"/>.</summary>
    public string? AliasFile { get; set; }

    /// <summary>Gets or sets the memory budget for choosing a variant; three quarters of the available memory when <see langword="null"/>.</summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>Gets or sets the Hugging Face endpoint, token and search cache settings (the cache defaults to <c>cache/huggingface</c> under <see cref="HomeDirectory"/>).</summary>
    public HuggingFace.HuggingFaceOptions HuggingFace { get; set; } = new();

    /// <summary>Gets or sets the downloader tuning.</summary>
    public Downloads.DownloaderOptions Downloads { get; set; } = new();

    /// <summary>Gets the model store folder in effect.</summary>
    /// <returns>The folder path.</returns>
    public string GetModelsDirectory() => ModelsDirectory ?? Path.Combine(HomeDirectory, "models");

    /// <summary>Gets the user alias file in effect.</summary>
    /// <returns>The file path.</returns>
    public string GetAliasFile() => AliasFile ?? Path.Combine(HomeDirectory, "aliases.json");

    /// <summary>Gets the default home folder: <c>OFFGRID_HOME</c> when set, else <c>.offgrid</c> in the user profile.</summary>
    /// <returns>The folder path.</returns>
    public static string DefaultHomeDirectory() => OffGridHome.Directory;
}
