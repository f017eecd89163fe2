package commands

// removeEach is the shared body of the "remove these members" commands
// (HDEL, SREM): each argument from index 2 is removed with remove; the
// key is deleted as soon as it empties (Redis never keeps an empty
// collection); one change is counted per removed member and the family's
// event, then "del" if the key went, is published. It replies with the
// number removed.
func removeEach(c *Ctx, key string, remove func([]byte) bool, size func() int, class int, event string) {
	deleted, removed := 0, false
	for _, m := range c.Args[2:] {
		if remove(m) {
			deleted++
			if size() == 0 {
				c.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.Modified(key)
		c.Dirty += deleted - 1
		c.Notify(class, event, key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.W.Int(int64(deleted))
}
