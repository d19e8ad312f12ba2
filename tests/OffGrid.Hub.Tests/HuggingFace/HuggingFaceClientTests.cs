using System.Net;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.HuggingFace;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;

namespace OffGrid.Hub.Tests.HuggingFace;

public sealed class HuggingFaceClientTests : IAsyncLifetime
{
    private readonly HubFixture _hub = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        byte[] q8 = HubFixture.TinyModel(GgufTensorType.Q8_0);
        byte[] f16 = HubFixture.TinyModel(GgufTensorType.F16);
        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "alpha/Alpha-7B-Instruct-GGUF", Downloads = 100, Likes = 5, CreatedAt = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero),
            Files = { ["Alpha-7B-Instruct-Q8_0.gguf"] = q8, ["Alpha-7B-Instruct-F16.gguf"] = f16, ["README.md"] = "hi"u8.ToArray() },
        });
        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "beta/Beta-GGUF", Downloads = 50, Likes = 50, Gated = "manual",
            Files = { ["beta-Q4_K_M.gguf"] = q8 },
        });
        _hub.Server.AddRepo(new LoopbackModelRepo { Id = "gamma/gamma-safetensors", Downloads = 1000, Tags = ["safetensors"] });
        _hub.Server.AddRepo(new LoopbackModelRepo
        {
            Id = "delta/Delta-GGUF", Downloads = 70, Likes = 1, Tags = ["gguf", "conversational"], CreatedAt = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Files =
            {
                ["delta-Q4_K_M-00001-of-00002.gguf"] = q8,
                ["delta-Q4_K_M-00002-of-00002.gguf"] = f16,
                ["../evil.gguf"] = q8,
                ["/etc/evil.gguf"] = q8,
            },
        });
        _hub.Server.AddRepo(new LoopbackModelRepo { Id = "epsilon/base-GGUF", Downloads = 5, Likes = 2, Files = { ["base-Q8_0.gguf"] = q8 } });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task SearchFiltersGgufAndGatedAndSortsByDownloads()
    {
        IReadOnlyList<HubModelSummary> models = await _hub.Client.SearchModelsAsync(new ModelSearchQuery(), Ct);

        Assert.Equal(["alpha/Alpha-7B-Instruct-GGUF", "delta/Delta-GGUF", "epsilon/base-GGUF"], models.Select(m => m.Id));
        HubModelSummary alpha = models[0];
        Assert.Equal(100, alpha.Downloads);
        Assert.Equal("alpha", alpha.Author);
        Assert.True(alpha.IsChatModel);
        Assert.Contains("Alpha-7B-Instruct-Q8_0.gguf", alpha.Files);
        Assert.Equal(["F16", "Q8_0"], alpha.Variants.Select(v => v.Quantization!.Name).Order());
        Assert.Contains(_hub.Server.Requests, r => r.Contains("filter=gguf", StringComparison.Ordinal) && r.Contains("sort=downloads", StringComparison.Ordinal) && r.Contains("direction=-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchSortsAndPostFilters()
    {
        var byLikesAscending = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Sort = ModelSortField.Likes, Descending = false, ExcludeGated = false }, Ct);
        Assert.Equal(["delta/Delta-GGUF", "epsilon/base-GGUF", "alpha/Alpha-7B-Instruct-GGUF", "beta/Beta-GGUF"], byLikesAscending.Select(m => m.Id));

        var newest = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Sort = ModelSortField.CreatedAt, Limit = 1 }, Ct);
        Assert.Equal("alpha/Alpha-7B-Instruct-GGUF", Assert.Single(newest).Id);

        var q4 = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Quantization = "q4_k_m" }, Ct);
        Assert.Equal("delta/Delta-GGUF", Assert.Single(q4).Id); // split parts count as one Q4_K_M model

        var chat = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { ChatOnly = true }, Ct);
        Assert.Equal(["alpha/Alpha-7B-Instruct-GGUF", "delta/Delta-GGUF"], chat.Select(m => m.Id));

        var byAuthor = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Author = "epsilon", Search = "base" }, Ct);
        Assert.Equal("epsilon/base-GGUF", Assert.Single(byAuthor).Id);

        long small = HubFixture.TinyModel(GgufTensorType.Q8_0).Length;
        var sized = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { MaxSizeBytes = small }, Ct);
        Assert.Equal(["alpha/Alpha-7B-Instruct-GGUF", "epsilon/base-GGUF"], sized.Select(m => m.Id));
        Assert.All(sized, m => Assert.All(m.Variants, v => Assert.Equal(small, v.SizeBytes)));
    }

    [Fact]
    public async Task SearchIsCachedAndServedOfflineFromCache()
    {
        await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Search = "alpha" }, Ct);
        int requests = _hub.Server.Requests.Count;

        var cached = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Search = "alpha" }, Ct);
        Assert.Equal(requests, _hub.Server.Requests.Count);
        Assert.Single(cached);

        _hub.Options.SearchCacheTtl = TimeSpan.Zero;
        _hub.Server.Override = _ => (503, null);
        var offline = await _hub.Client.SearchModelsAsync(new ModelSearchQuery { Search = "alpha" }, Ct);
        Assert.Equal("alpha/Alpha-7B-Instruct-GGUF", Assert.Single(offline).Id);
    }

    [Fact]
    public async Task TreeListsSizesAndSha256AndDropsUnsafeNames()
    {
        IReadOnlyList<HubRepoFile> files = await _hub.Client.GetFilesAsync("delta/Delta-GGUF", cancellationToken: Ct);

        Assert.Equal(["delta-Q4_K_M-00001-of-00002.gguf", "delta-Q4_K_M-00002-of-00002.gguf"], files.Select(f => f.Path));
        byte[] q8 = HubFixture.TinyModel(GgufTensorType.Q8_0);
        Assert.Equal(q8.Length, files[0].Size);
        Assert.Equal(LoopbackHubServer.Sha256Of(q8), files[0].Sha256);

        var variant = Assert.Single(await _hub.Client.GetVariantsAsync("delta/Delta-GGUF", cancellationToken: Ct));
        Assert.True(variant.IsSplit);
        Assert.Equal(files.Sum(f => f.Size), variant.SizeBytes);
    }

    [Fact]
    public async Task ResolveRedirectsToVerifiedContent()
    {
        HubRepoFile file = (await _hub.Client.GetFilesAsync("alpha/Alpha-7B-Instruct-GGUF", cancellationToken: Ct)).First(f => f.Path.EndsWith("Q8_0.gguf", StringComparison.Ordinal));
        string destination = Path.Combine(_hub.Home, "a.gguf");

        DownloadResult result = await _hub.Downloader.DownloadAsync(_hub.Client.CreateDownloadRequest("alpha/Alpha-7B-Instruct-GGUF", "main", file, destination), cancellationToken: Ct);

        Assert.Equal(file.Sha256, result.Sha256);
        Assert.Equal(new Uri(_hub.Server.BaseUri, "alpha/Alpha-7B-Instruct-GGUF/resolve/main/Alpha-7B-Instruct-Q8_0.gguf"), _hub.Client.GetResolveUri("alpha/Alpha-7B-Instruct-GGUF", "main", file.Path));
        Assert.Contains(_hub.Server.Requests, r => r.StartsWith("GET /cdn/", StringComparison.Ordinal));
        Assert.Throws<InvalidDataException>(() => _hub.Client.GetResolveUri("a/b", "main", "../x.gguf"));
        Assert.Throws<InvalidDataException>(() => _hub.Client.GetResolveUri("a/b", "main", "/abs.gguf"));
    }

    [Fact]
    public async Task ReportsNotFoundUnauthorizedAndRateLimit()
    {
        var notFound = await Assert.ThrowsAsync<HubHttpException>(() => _hub.Client.GetFilesAsync("nobody/nothing", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        _hub.Server.RequiredToken = "t0ken";
        var unauthorized = await Assert.ThrowsAsync<HubHttpException>(() => _hub.Client.GetFilesAsync("alpha/Alpha-7B-Instruct-GGUF", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Contains("HF_TOKEN", unauthorized.Message, StringComparison.Ordinal);

        _hub.Options.Token = "t0ken";
        Assert.NotEmpty(await _hub.Client.GetFilesAsync("alpha/Alpha-7B-Instruct-GGUF", cancellationToken: Ct));

        _hub.Server.Override = _ => (429, "7");
        var limited = await Assert.ThrowsAsync<HubHttpException>(() => _hub.Client.GetFilesAsync("alpha/Alpha-7B-Instruct-GGUF", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
    }
}
