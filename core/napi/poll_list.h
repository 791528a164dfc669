// A circular, doubly linked intrusive list (Linux's list_head): what a
// NAPI instance is linked into, so it can leave any list without knowing
// which one it is on, and whole lists move in O(1).
#pragma once

namespace irqlab::napi {

struct ListNode {
    ListNode* next = this;
    ListNode* prev = this;

    ListNode() = default;
    ListNode(const ListNode&) = delete;
    ListNode& operator=(const ListNode&) = delete;

    bool empty() const { return next == this; }

    void init() {
        next = this;
        prev = this;
    }

    // list_add_tail(): 'node' before 'this' (the head), i.e. at the end.
    void add_tail(ListNode& node) {
        node.prev = prev;
        node.next = this;
        prev->next = &node;
        prev = &node;
    }

    // list_del_init(): off whatever list it is on.
    void del_init() {
        prev->next = next;
        next->prev = prev;
        init();
    }

    // list_splice_tail_init(): all of 'other' at the end of this list.
    void splice_tail_init(ListNode& other) {
        if (other.empty())
            return;
        ListNode* first = other.next;
        ListNode* last = other.prev;
        first->prev = prev;
        prev->next = first;
        last->next = this;
        prev = last;
        other.init();
    }
};

} // namespace irqlab::napi
