namespace LockboxPortal.Tests.Infrastructure;

/// <summary>One app with demo data on its own SQLite file, shared by the tests of a class that only read or sign in.</summary>
public sealed class DemoPortalFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public PortalFactory Factory { get; private set; } = default!;

    public Task InitializeAsync()
    {
        Factory = new PortalFactory(_folder.File("lockbox.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        _folder.Dispose();
    }
}
