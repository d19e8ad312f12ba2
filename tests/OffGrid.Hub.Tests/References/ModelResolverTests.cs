using Microsoft.Extensions.Options;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;

namespace OffGrid.Hub.Tests.References;

/// <summary>The one resolver: configured names, then model sources (remote engines), then model folders, then the store, then (when allowed) paths; never the network.</summary>
public sealed class ModelResolverTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();
    private string _file = null!;
    private string _folder = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _folder = Directory.CreateDirectory(Path.Combine(_hub.Home, "folder")).FullName;
        _file = Path.Combine(_hub.Home, "stories260K.gguf");
        await File.WriteAllBytesAsync(_file, HubFixture.TinyModel(GgufTensorType.F32), Ct);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "folded.gguf"), HubFixture.TinyModel(GgufTensorType.F32, seed: 2), Ct);
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    private ModelResolver Resolver(bool allowPaths = false, Action<ModelResolverOptions>? configure = null)
    {
        var options = new ModelResolverOptions { AllowFilePaths = allowPaths, ModelDirectories = [_folder] };
        configure?.Invoke(options);
        return new ModelResolver(_hub.Store, new ModelAliasCatalog(), Options.Create(options));
    }

    [Fact]
    public async Task AnImportedModelAnswersToItsShortNameBeforeAnyAlias()
    {
        ModelManifest imported = await _hub.Store.ImportAsync(_file, cancellationToken: Ct);

        LocalModel found = await Resolver().ResolveAsync("stories260K", Ct);

        Assert.Equal("local/stories260K", imported.Name);
        Assert.Equal(imported.Name, found.Name);
        Assert.Equal(LocalModelSource.Store, found.Source);
        Assert.Equal(imported.PrimaryFilePath, found.Path);
        Assert.Equal(found.Path, (await Resolver().ResolveAsync("stories260k:latest", Ct)).Path);
    }

    [Fact]
    public async Task ConfiguredNamesWinOverFoldersAndTheStore()
    {
        ModelResolver resolver = Resolver(configure: o => o.Models["folded"] = _file);

        LocalModel configured = await resolver.ResolveAsync("FOLDED", Ct);
        IReadOnlyList<LocalModel> all = await resolver.ListAsync(Ct);

        Assert.Equal(LocalModelSource.Configured, configured.Source);
        Assert.Equal(_file, configured.Path);
        Assert.Single(all, m => m.Name == "folded");
        Assert.Equal(LocalModelSource.Directory, (await Resolver().ResolveAsync("folded", Ct)).Source);
    }

    [Fact]
    public async Task RemoteModelsJoinTheCatalogBetweenConfiguredNamesAndFiles()
    {
        var remote = new ListedModels(
            new LocalModel("folded", "remote://folded", LocalModelSource.Remote),
            new LocalModel("chat", "remote://chat", LocalModelSource.Remote),
            new LocalModel("configured", "remote://configured", LocalModelSource.Remote));
        var options = new ModelResolverOptions { ModelDirectories = [_folder], Models = { ["configured"] = _file } };
        var resolver = new ModelResolver(_hub.Store, new ModelAliasCatalog(), Options.Create(options), [remote]);

        LocalModel chat = await resolver.ResolveAsync("chat:latest", Ct);

        Assert.True(chat.IsRemote);
        Assert.Equal("remote://chat", chat.Path);
        Assert.Equal(LocalModelSource.Remote, (await resolver.ResolveAsync("folded", Ct)).Source);
        Assert.Equal(LocalModelSource.Configured, (await resolver.ResolveAsync("configured", Ct)).Source);
        Assert.Equal(["chat", "configured", "folded"], (await resolver.ListAsync(Ct)).Select(m => m.Name));
        Assert.Equal(4, remote.Listings); // asked on every lookup: new remote models show up at once
    }

    [Fact]
    public async Task PathsOnlyResolveWhenAllowed()
    {
        ModelNotFoundException refused = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver().ResolveAsync(_file, Ct));
        LocalModel allowed = await Resolver(allowPaths: true).ResolveAsync(_file, Ct);
        ModelNotFoundException missing = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver(allowPaths: true).ResolveAsync(_file + ".nope.gguf", Ct));

        Assert.Contains("not served by path", refused.Message, StringComparison.Ordinal);
        Assert.False(refused.CanPull);
        Assert.Equal(LocalModelSource.File, allowed.Source);
        Assert.Equal("stories260K", allowed.Name);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APathToAFileThatIsNotGgufIsRefusedByName()
    {
        string text = Path.Combine(_hub.Home, "notes.gguf");
        await File.WriteAllTextAsync(text, "not a model", Ct);

        InvalidModelReferenceException error = await Assert.ThrowsAsync<InvalidModelReferenceException>(() => Resolver(allowPaths: true).ResolveAsync(text, Ct));

        Assert.Contains("not a GGUF model file", error.Message, StringComparison.Ordinal);
        Assert.True(GgufFile.HasGgufSignature(_file));
        Assert.False(GgufFile.HasGgufSignature(text));
        Assert.False(GgufFile.HasGgufSignature(text + ".missing"));
    }

    [Fact]
    public async Task MissingModelsSayWhetherTheyCanBePulled()
    {
        ModelNotFoundException alias = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver().ResolveAsync("llama3.2", Ct));
        ModelNotFoundException repository = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver().ResolveAsync("acme/Tiny-Chat-GGUF:Q4_K_M", Ct));
        ModelNotFoundException unknown = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver().ResolveAsync("no-such-model", Ct));
        ModelNotFoundException invalid = await Assert.ThrowsAsync<ModelNotFoundException>(() => Resolver().ResolveAsync("a b", Ct));

        Assert.True(alias.CanPull);
        Assert.Contains("offgrid pull llama3.2", alias.Message, StringComparison.Ordinal);
        Assert.True(repository.CanPull);
        Assert.False(unknown.CanPull);
        Assert.Contains("llama3.2", unknown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("whisper", unknown.Message, StringComparison.Ordinal); // speech models are no answer to a chat request
        Assert.DoesNotContain("piper", unknown.Message, StringComparison.Ordinal);
        Assert.False(invalid.CanPull);
        Assert.Empty(_hub.Server.Requests);
    }

    [Fact]
    public void OptionsListEveryMissingFileAndFolder()
    {
        var options = new ModelResolverOptions { Models = { ["ghost"] = "/nowhere/ghost.gguf" }, ModelDirectories = ["/nowhere/models"] };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("'ghost'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/nowhere/models", StringComparison.Ordinal));
    }

    /// <summary>A model source with a fixed list, counting how often the resolver asks it.</summary>
    private sealed class ListedModels(params LocalModel[] models) : IModelSource
    {
        public int Listings { get; private set; }

        public ValueTask<IReadOnlyList<LocalModel>> ListAsync(CancellationToken cancellationToken)
        {
            Listings++;
            return ValueTask.FromResult<IReadOnlyList<LocalModel>>(models);
        }
    }
}
