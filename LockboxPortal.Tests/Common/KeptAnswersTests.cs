using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Common;

/// <summary>What the read models keep (the access check's, the queues' pending rows), and when they read again.</summary>
public sealed class KeptAnswersTests
{
    [Fact]
    public async Task AReadThatOverlapsAChange_AnswersItsCaller_ButIsNotKept()
    {
        var kept = new KeptAnswers<string, string>(new FakeTimeProvider(), TimeSpan.FromMinutes(1), capacity: 10);
        var reading = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = kept.GetAsync("engineer", trusted: true, _ => reading.Task);

        kept.Forget("engineer");
        reading.SetResult("read before the change committed");

        Assert.Equal("read before the change committed", await inFlight);
        Assert.Equal("read after", await kept.GetAsync("engineer", trusted: true, _ => Task.FromResult("read after")));
        Assert.Equal("read after", await kept.GetAsync("engineer", trusted: true, _ => Task.FromResult("not read: kept")));
    }

    [Fact]
    public async Task PastItsCapacity_TheModelForgetsEverything_AndReadsAgain()
    {
        var kept = new KeptAnswers<int, string>(new FakeTimeProvider(), TimeSpan.FromMinutes(1), capacity: 2);
        await kept.GetAsync(1, trusted: true, _ => Task.FromResult("one"));
        await kept.GetAsync(2, trusted: true, _ => Task.FromResult("two"));
        Assert.Equal("one", await kept.GetAsync(1, trusted: true, _ => Task.FromResult("not read")));

        await kept.GetAsync(3, trusted: true, _ => Task.FromResult("three"));

        Assert.Equal("one again", await kept.GetAsync(1, trusted: true, _ => Task.FromResult("one again")));
    }

    [Fact]
    public async Task WhileChangesMayGoUnheard_StorageIsRead_AndNothingKeptIsUsed()
    {
        var kept = new KeptAnswers<string, string>(new FakeTimeProvider(), TimeSpan.FromMinutes(1), capacity: 10);
        await kept.GetAsync("engineer", trusted: true, _ => Task.FromResult("kept"));

        Assert.Equal("read", await kept.GetAsync("engineer", trusted: false, _ => Task.FromResult("read")));
        Assert.Equal("read again", await kept.GetAsync("engineer", trusted: false, _ => Task.FromResult("read again")));
    }
}
