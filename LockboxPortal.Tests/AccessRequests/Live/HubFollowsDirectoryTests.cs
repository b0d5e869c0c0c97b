using System.Net;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.AccessRequests.Live;

/// <summary>
/// An open hub connection follows the directory (real app on a real port, real SignalR clients): a person who leaves
/// a tenant stops hearing its requests at once, and a session ended elsewhere loses its connection within a minute
/// of the app's clock, as its cookie does. Colleagues keep hearing, so silence is not just a broken relay.
/// </summary>
public sealed class HubFollowsDirectoryTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private PortalFactory _factory = default!;
    private string _baseUrl = "";

    public Task InitializeAsync()
    {
        _factory = new PortalFactory(_folder.File("lockbox.db"), realPort: true).WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _baseUrl = _factory.StartOnRealPort();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task LeavingTheTenant_TheOpenConnectionHearsNothingMoreOfIt_AtOnce()
    {
        await using var leaving = await LiveHubClient.ConnectAsync(_baseUrl, "approver2@contoso.test");
        await using var colleague = await LiveHubClient.ConnectAsync(_baseUrl, "approver1@contoso.test");
        var before = await FileAndPassInternalAsync();
        await leaving.WaitForAsync(m => m.RequestId == before.Id && m.Kind == nameof(RequestEventKind.InternalApproved));

        await RemoveFromContosoAsync("approver2@contoso.test");
        var after = await FileAndPassInternalAsync();

        // The relay sends in order, and the directory change is handled before the later event.
        await colleague.WaitForAsync(m => m.RequestId == after.Id && m.Kind == nameof(RequestEventKind.InternalApproved));
        Assert.DoesNotContain(leaving.Received, m => m.RequestId == after.Id);
        await leaving.ClosedAsync();
    }

    [Fact]
    public async Task SigningOutElsewhere_ClosesTheOpenConnection_WithinAMinute()
    {
        var hubSession = await LiveHubClient.SignInAsync(_baseUrl, "approver@northwind.test");
        await using var listening = await LiveHubClient.ConnectAsync(_baseUrl, hubSession);
        await using var colleague = await LiveHubClient.ConnectAsync(_baseUrl, "officer@northwind.test");

        var otherSession = await LiveHubClient.SignInAsync(_baseUrl, "approver@northwind.test");
        using (var http = new HttpClient(new HttpClientHandler { CookieContainer = otherSession, AllowAutoRedirect = false }) { BaseAddress = new Uri(_baseUrl) })
        {
            using var signedOut = await StaticForms.PostAsync(http, "/", "", new Dictionary<string, string>(), action: "/account/logout");
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        }

        // Before the minute is up the connection still hears (as the cookie still works); after it, it is closed.
        var early = await FileAndPassInternalAsync(DemoData.NorthwindId, "Sql:database/invoices");
        await listening.WaitForAsync(m => m.RequestId == early.Id && m.Kind == nameof(RequestEventKind.InternalApproved));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await listening.ClosedAsync();

        var late = await FileAndPassInternalAsync(DemoData.NorthwindId, "Sql:database/customers");
        await colleague.WaitForAsync(m => m.RequestId == late.Id && m.Kind == nameof(RequestEventKind.InternalApproved));
        Assert.DoesNotContain(listening.Received, m => m.RequestId == late.Id);
    }

    [Fact]
    public async Task AColleaguesChange_LeavesTheConnectionOpen_AndHearing()
    {
        await using var staying = await LiveHubClient.ConnectAsync(_baseUrl, "approver1@contoso.test");

        await RemoveFromContosoAsync("approver2@contoso.test");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var after = await FileAndPassInternalAsync();

        await staying.WaitForAsync(m => m.RequestId == after.Id && m.Kind == nameof(RequestEventKind.InternalApproved));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, staying.Connection.State);
    }

    private async Task RemoveFromContosoAsync(string email)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var person = await LiveHubClient.PrincipalOfAsync(_factory, email);
        await scope.ServiceProvider.GetRequiredService<PeopleService>().RemoveFromTenantAsync(
            await LiveHubClient.PrincipalOfAsync(_factory, "officer@contoso.test"), person.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value, DemoData.ContosoId);
    }

    private async Task<AccessRequest> FileAndPassInternalAsync(Guid? tenant = null, string scope = "Exchange:mailbox/ana@contoso.com")
    {
        await using var services = _factory.Services.CreateAsyncScope();
        var requests = services.ServiceProvider.GetRequiredService<AccessRequestService>();
        var filed = await requests.FileAsync(await LiveHubClient.PrincipalOfAsync(_factory, "engineer@fabrikam.test"),
            new FileRequestInput(tenant ?? DemoData.ContosoId, scope, AccessLevel.Read, "Checking a reported problem for the customer.", null, null, Reason: RequestReason.Maintenance));
        return await requests.DecideInternalAsync(await LiveHubClient.PrincipalOfAsync(_factory, "manager@fabrikam.test"), filed.Id, approve: true, null);
    }
}
