package loadtest

import "testing"

// The refused sign-ins send as many known as unknown emails, every pair
// one of each, but not in turn: on the requests of one parity, where a
// collection after every second hash would fall, both kinds come about as
// often.
func TestRefusedSignInsComeInPairsOfRandomOrder(t *testing.T) {
	isKnown := func(i int64) bool { return (i%2 == 0) != knownFirst(i/2) }
	knownAtEven := 0
	for i := int64(0); i < 2000; i += 2 {
		if isKnown(i) == isKnown(i+1) {
			t.Fatalf("requests %d and %d are of one kind", i, i+1)
		}
		if isKnown(i) {
			knownAtEven++
		}
	}
	if knownAtEven < 400 || knownAtEven > 600 {
		t.Errorf("%d of 1000 even requests are for a known email: the order is too regular", knownAtEven)
	}
}
